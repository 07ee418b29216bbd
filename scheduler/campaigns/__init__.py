"""A campaign as a whole: starting the next one (``campaign new``) from the
current campaign file, keeping its accounts, calls, media and settings."""

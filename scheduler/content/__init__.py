"""Posts as the comms team writes them: loading, validation and the campaign's rules."""

"""What a huddle produces: check-ins, concerns, huddles and handoffs, as typed values."""

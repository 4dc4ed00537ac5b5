"""Emailing packets: the review, the message, the transports (drafts, SMTP) and the ledger."""

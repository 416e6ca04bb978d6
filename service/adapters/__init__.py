"""Adapters: I/O behind small interfaces (DynamoDB, S3, SES, SQS, PDF, clock)."""

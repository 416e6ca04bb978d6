"""Review cycles service: performance-review cycles run serverless in your own AWS account."""

"""Messages between a local authority and a provider about a referral."""

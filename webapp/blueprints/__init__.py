"""Blueprints per audience: public (residents), referral (frontline workers),
audit (municipalities), api (JSON), admin (data stewards)."""

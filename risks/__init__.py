"""The risk and opportunity register: scoring, reviews and mitigation actions."""

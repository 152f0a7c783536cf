"""The risk and opportunity register."""

"""Public information pages the Italian rules require of a public digital service (accessibility statement)."""

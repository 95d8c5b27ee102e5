"""Export jobs (rosters, batch documents) run as background tasks."""


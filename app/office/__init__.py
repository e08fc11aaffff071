"""The office as a whole: what gathers every area at once (start-up reminders, the full check).

Rank 3 in app/ (above the areas, beside the demo sites): it imports the areas plainly, and no
area imports it."""

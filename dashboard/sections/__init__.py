"""Page sections that an area owns (a function per section, layout only; queries live in dashboard/queries_*.py).
Pages call them, so parallel work on one page touches only its call lines."""

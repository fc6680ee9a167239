"""Polish: titles, breadcrumbs, empty states, confirmations, flash messages, print."""

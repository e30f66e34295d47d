"""Flask-free page code: the view models the templates are rendered from (no request, no app)."""

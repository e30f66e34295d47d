"""Screen and print code: the view models of pages and documents, Flask-free.

Routes (webapp/<area>/routes.py) parse the request, call one function here or in `workflows`,
and render what it returns. Nothing here imports Flask or is imported by `workflows/`
(scripts/check_layers.py), so a page or a document can be built and tested without a request."""

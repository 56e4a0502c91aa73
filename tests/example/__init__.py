"""The example Tasks API: every aio-openapi package composed into one application."""

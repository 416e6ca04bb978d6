"""The web function: the Flask app behind API Gateway HTTP API (payload 2.0) through apig-wsgi."""

from apig_wsgi import make_lambda_handler

from service.web import create_app

lambda_handler = make_lambda_handler(create_app(), binary_support=True)

"""Pure domain model: no boto3, Flask, marshmallow or WeasyPrint here."""

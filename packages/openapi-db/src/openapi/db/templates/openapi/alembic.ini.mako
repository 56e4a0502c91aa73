# Alembic configuration of an aio-openapi application. The database URL and the
# tables come from the application (DATASTORE and its CrudDB) through `db` commands.

[alembic]
script_location = ${script_location}
path_separator = os

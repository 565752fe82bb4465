#!/bin/sh
# run-extension.sh -- the extension huimin in a throwaway PostgreSQL server.
exit 77

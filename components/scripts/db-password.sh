#!/bin/sh
# The docker target's database password rotation, run by `pulumi up` in a run-once container of
# the MySQL image on the cluster's network, in two steps (STEP). "retain", before any node is
# replaced: gives the app user ($DATABASE_USER) the password $DB_PASSWORD and keeps its current
# one as its secondary password (MySQL's dual passwords, 8.0.14 and later), so that the nodes
# not yet replaced still connect. "discard", once every node runs with $DB_PASSWORD: drops the
# secondary password. Logged in as root ($ROOT_PASSWORD): only an account with CREATE USER may
# keep or drop another account's secondary password. The passwords come from the environment
# and go to mysql through option files and stdin, never on a command line.
# Parameters: dbPasswordScript in components/docker/containers.ts.
set -eu
umask 077

# shellcheck source=poll.sh
. "$(dirname "$0")/poll.sh"

tmp="$(mktemp -d)"
# The container stays (its exit code and logs are read): the option files must not.
trap 'rm -rf "$tmp"' EXIT
printf '[client]\nuser=root\npassword=%s\n' "$ROOT_PASSWORD" > "$tmp/root.cnf"
printf '[client]\nuser=%s\npassword=%s\n' "$DATABASE_USER" "$DB_PASSWORD" > "$tmp/app.cnf"

fail() { echo "new-api-db-password: $*" >&2; exit 1; }
# sql ACCOUNT STATEMENT: runs STATEMENT as ACCOUNT (root or app), through mysql's stdin, its
# output dropped; on failure sets $why to mysql's errors, on one line
sql() {
  printf '%s\n' "$2" | mysql --defaults-extra-file="$tmp/$1.cnf" --protocol=TCP -h "$MYSQL_HOST" -N -B > /dev/null 2>"$tmp/error.log" \
    && return
  why=
  while IFS= read -r line || [ -n "$line" ]; do why="${why:+$why }$line"; done < "$tmp/error.log"
  return 1
}
# MySQL's 1045 (access denied) is an answer: polling again would not change it.
answers_root() {
  sql root 'SELECT 1' || case "$why" in *'ERROR 1045'*) true ;; *) false ;; esac
}
new_password_works() {
  sql app 'SELECT 1'
}

if ! poll_until "$ANSWER_SECONDS" "$POLL_SECONDS" answers_root; then
  fail "MySQL at $MYSQL_HOST did not answer within $ANSWER_SECONDS s: $why"
fi
if ! sql root 'SELECT 1'; then
  fail "MySQL refused root the stack's password ($why): the data volume was initialized before the stack kept MySQL's root password (its root password was random then). Set it once: docs/local.md, Rotating the database password"
fi
account="'$DATABASE_USER'@'%'"
case "$STEP" in
  retain)
    if new_password_works; then
      echo "new-api-db-password: $DATABASE_USER already has the stack's password; nothing to change"
      exit 0
    fi
    sql root "ALTER USER $account IDENTIFIED BY '$DB_PASSWORD' RETAIN CURRENT PASSWORD;" \
      || fail "MySQL refused the new password of $DATABASE_USER: $why"
    new_password_works || fail "$DATABASE_USER does not log in with the new password after the change: $why"
    echo "new-api-db-password: $DATABASE_USER has the new password; the current one works too until every node has the new one"
    ;;
  discard)
    # Never lock every node out: the secondary goes only while the new password works.
    new_password_works || fail "$DATABASE_USER does not log in with the stack's password ($why); its old password is kept"
    sql root "ALTER USER $account DISCARD OLD PASSWORD;" \
      || fail "MySQL did not discard the old password of $DATABASE_USER: $why"
    echo "new-api-db-password: $DATABASE_USER has only the stack's password now"
    ;;
  *) fail "unknown step $STEP" ;;
esac

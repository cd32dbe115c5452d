#!/bin/bash
# systemd's ExecStart on a node: reads the cluster's secrets from SSM Parameter Store into a
# root-only env file, then runs the pinned New API image in the foreground.
# Parameters: startParameters in components/aws/userdata.ts.
set -euo pipefail
umask 077

# shellcheck source=ssm.sh
. "$(dirname "$0")/ssm.sh"
# shellcheck source=fill.sh
. "$(dirname "$0")/fill.sh"

# Each line of SECRET_PARAMETERS names a placeholder of SECRETS_ENV and the SSM parameter
# that holds its value, which must have the shape the stack generates (SECRET_REGEX, its
# description SECRET_SHAPE: nodeContract.ts).
env_lines="$SECRETS_ENV"
while read -r placeholder parameter; do
  read_parameter "$parameter"
  require_value "$parameter" "$parameter_value" "$SECRET_REGEX" "$SECRET_SHAPE"
  fill "$env_lines" "{{$placeholder}}" "$parameter_value"
  env_lines=$filled
done <<< "$SECRET_PARAMETERS"
secrets_file="$ENV_DIR/secrets.env"
tmp_file="$(mktemp "$secrets_file.XXXXXX")"
printf '%s\n' "$env_lines" > "$tmp_file"
mv -f "$tmp_file" "$secrets_file"

# A pinned image that is on disk is exactly the image: starting it again needs no registry.
# Docker Hub limits anonymous pulls per address (every node shares the NAT's), so a crash
# loop or a Hub outage must not depend on it. ECR needs a login, which the instance role grants.
if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
  if [[ -n "$ECR_HOST" ]]; then
    aws ecr get-login-password --region "$ECR_REGION" \
      | docker login --username AWS --password-stdin "$ECR_HOST" >/dev/null
  fi
  if ! docker pull "$IMAGE"; then
    echo "new-api: pulling $IMAGE failed; not starting (docs/troubleshooting.md)" >&2
    exit 1
  fi
fi

# MySQL is spoken to over TLS (tls=true in the DSN), verified against RDS's CAs: the region's
# bundle from AWS's public trust store, fetched once per instance, beside the system's CAs
# (which New API's calls to model providers need). At every start the bundle must verify each
# database's certificate by its name, or the node does not start.
rds_ca="$STATE_DIR/rds-ca.pem"
if [[ ! -s "$rds_ca" ]]; then
  mkdir -p "$STATE_DIR"
  if ! curl -fsS --max-time 30 -o "$rds_ca.tmp" "https://truststore.pki.rds.amazonaws.com/$REGION/$REGION-bundle.pem"; then
    echo "new-api: downloading the RDS CA bundle for $REGION failed; not starting (docs/troubleshooting.md)" >&2
    exit 1
  fi
  mv -f "$rds_ca.tmp" "$rds_ca"
fi
for host in $DATABASE_HOSTS; do
  if ! openssl s_client -starttls mysql -connect "$host:$MYSQL_PORT" -servername "$host" -verify_hostname "$host" \
      -CAfile "$rds_ca" -verify_return_error </dev/null >/dev/null 2>&1; then
    echo "new-api: could not verify the TLS certificate of MySQL at $host with the RDS CA bundle (unreachable, or not RDS); not starting" >&2
    exit 1
  fi
done
cat "$SYSTEM_CAS" "$rds_ca" > "$ENV_DIR/ca-bundle.pem"

# A slave first waits for the master's setup (wait-for-master.sh), with the image on disk.
if [[ -n "$WAIT_FOR_MASTER" ]]; then
  "$WAIT_FOR_MASTER"
fi

# The container reads the system's CAs and RDS's through SSL_CERT_FILE (Go's crypto/x509).
# New API logs to stdout, which goes to CloudWatch; `--log-dir=` turns off its log files, which
# it never deletes (a new one every million lines, on the root volume). Docker keeps a bounded
# local copy of the logs too (its dual logging cache), so `docker logs` still works.
# Non-blocking: a slow CloudWatch must never stall New API's writes (and its requests); a full
# buffer (a few minutes of logs) drops lines.
container_cas=/etc/new-api/ca-bundle.pem
docker rm -f "$CONTAINER_NAME" >/dev/null 2>&1 || true
exec docker run --rm --name "$CONTAINER_NAME" \
  --env-file "$ENV_DIR/node.env" --env-file "$secrets_file" \
  -v "$ENV_DIR/ca-bundle.pem:$container_cas:ro" -e SSL_CERT_FILE="$container_cas" \
  -p "$APP_PORT:$APP_PORT" \
  -v "$STATE_DIR/data:/data" \
  --health-cmd "$HEALTH_COMMAND" \
  --health-interval 30s --health-timeout 10s --health-retries 3 --health-start-period 60s \
  --log-driver awslogs --log-opt awslogs-region="$REGION" --log-opt awslogs-group="$LOG_GROUP" \
  --log-opt awslogs-stream="$NODE_NAME" --log-opt mode=non-blocking --log-opt max-buffer-size=8m \
  "$IMAGE" --log-dir=

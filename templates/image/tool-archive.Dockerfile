# @@NAME@@ @@VERSION@@: @@CHECKSUM_NOTE@@
RUN set -eu; mkdir -p /tmp/atlantis-run-@@NAME@@ /usr/local/bin; cd /tmp/atlantis-run-@@NAME@@; \
    curl -fsSL -o @@ASSET@@ '@@URL@@'; \
    @@VERIFY@@; \
    @@EXTRACT@@ @@ASSET@@; \
    for f in @@MEMBERS@@; do if [ -f "$f" ]; then mv "$f" /usr/local/bin/@@NAME@@; break; fi; done; \
    [ -f /usr/local/bin/@@NAME@@ ] || { echo '@@ASSET@@ holds none of: @@MEMBERS@@' >&2; exit 1; }; \
    chmod 0755 /usr/local/bin/@@NAME@@; \
    cd /; rm -rf /tmp/atlantis-run-@@NAME@@; \
    @@SMOKE_TEST@@

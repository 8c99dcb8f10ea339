#!/usr/bin/env bash
# Makes a throw-away CA and certificates for tests and trying TLS out. NOT for production.
#
#   scripts/make-test-certs.sh DIR
#
# DIR gets (all PEM; keys are unencrypted PKCS#8):
#   ca.pem / ca.key                 the CA, valid 2 days
#   server.pem / server.key         chain (leaf then CA) for localhost, 127.0.0.1, ::1
#   other.pem / other.key           chain for other.test (for SNI tests)
#   client.pem / client.key         client certificate "weft-client" (for mutual TLS)
#   expired.pem / expired.key       a localhost certificate that expired
#   rogue-ca.pem, untrusted.pem / untrusted.key   a localhost certificate from a CA nobody trusts
#   server.p12                      server key and chain as PKCS#12, password "changeit"
set -euo pipefail
dir=${1:?usage: $0 DIR}
mkdir -p "$dir"
cd "$dir"
days=2

ca() { # name subject
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.pem" \
        -days "$days" -subj "/CN=$2" -addext basicConstraints=critical,CA:TRUE \
        -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}

leaf() { # name ca subject extension-line [extra x509 args...]
    local name=$1 issuer=$2 subject=$3 ext=$4
    shift 4
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$name.key" -out "$name.csr" \
        -subj "/CN=$subject" 2>/dev/null
    printf '%s\n' "$ext" > "$name.ext"
    openssl x509 -req -in "$name.csr" -CA "$issuer.pem" -CAkey "$issuer.key" -CAcreateserial \
        -out "$name.crt" -extfile "$name.ext" "$@" 2>/dev/null
    cat "$name.crt" "$issuer.pem" > "$name.pem"
    rm -f "$name.csr" "$name.ext" "$name.crt"
}

server_ext='subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
extendedKeyUsage=serverAuth'

ca ca "Weft Test CA"
ca rogue-ca "Rogue CA"
leaf server ca localhost "$server_ext" -days "$days"
leaf other ca other.test 'subjectAltName=DNS:other.test
extendedKeyUsage=serverAuth' -days "$days"
leaf client ca weft-client 'extendedKeyUsage=clientAuth' -days "$days"
leaf untrusted rogue-ca localhost "$server_ext" -days "$days"
# Expired: valid 2020-01-01 to 2020-01-02 ("openssl ca" sets past dates on openssl 3.0 too).
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout expired.key -out expired.csr \
    -subj "/CN=localhost" 2>/dev/null
: > expired.index
echo 01 > expired.serial
cat > expired.cnf <<CNF
[ca]
default_ca = expired
[expired]
database = expired.index
new_certs_dir = .
serial = expired.serial
default_md = sha256
policy = any
[any]
commonName = supplied
[server]
$server_ext
CNF
openssl ca -batch -config expired.cnf -cert ca.pem -keyfile ca.key -in expired.csr -out expired.crt -notext \
    -startdate 20200101000000Z -enddate 20200102000000Z -extensions server 2>/dev/null
cat expired.crt ca.pem > expired.pem
rm -f expired.csr expired.crt expired.cnf expired.index* expired.serial* 01.pem
openssl pkcs12 -export -in server.pem -inkey server.key -out server.p12 -passout pass:changeit -name server
rm -f ./*.srl

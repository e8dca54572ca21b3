#!/bin/sh
# FEC Reed-Solomon GF(2^8), FEI 5 (RFC 5510): loss below the overhead is
# rebuilt by FEC alone, loss above it by FEC and unicast repair; malformed
# OTI is counted.  See fec.sh.
FEC_SCHEME=rs
. "$NC_SYS/fec.sh"

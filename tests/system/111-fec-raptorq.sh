#!/bin/sh
# FEC RaptorQ, FEI 6 (RFC 6330): loss below the overhead is
# rebuilt by FEC alone, loss above it by FEC and unicast repair; malformed
# OTI is counted.  See fec.sh.
FEC_SCHEME=raptorq
. "$NC_SYS/fec.sh"

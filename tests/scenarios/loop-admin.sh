#!/bin/bash
# tcp-admin over trtype loop: Set/Get Features round trips, write
# protection, namespace hot add and removal, allowed_hosts, and nvme-loop
# held while a loop port uses it.
TR=loop
. ./tcp-admin.sh

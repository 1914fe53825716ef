#!/bin/sh
# Used by the script fixtures as a local script that exists.
echo hardening

#!/bin/sh
echo "hello $1 from $REGION"

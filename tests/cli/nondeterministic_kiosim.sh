#!/usr/bin/env bash
# A stand-in for kiosim whose `run --json` differs each time (its own PID in it): the
# determinism checker (determinism.sh) must fail on it ("cli: determinism fails").
echo "{\"pid\": $$}"

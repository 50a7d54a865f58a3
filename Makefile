# Shortcuts; the scripts work without make too.
.PHONY: run test bench faults
run:
	scripts/run.sh
test:
	scripts/test.sh
bench:
	scripts/setup.sh test && .venv/bin/python -m bench
faults:
	scripts/setup.sh test && .venv/bin/python -m bench.faults

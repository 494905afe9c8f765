# The two commands of the README; everything else lives in scripts/.
.PHONY: serve test bench setup

serve:
	bash scripts/serve.sh

test:
	bash scripts/test.sh

setup:
	bash scripts/setup.sh

bench:
	cargo bench -p stowage-core --bench binder

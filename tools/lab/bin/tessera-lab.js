#!/usr/bin/env node
// The `tessera-lab` command: runs the built lab (`make build` compiles src/ to dist/). It starts the
// services of this checkout, so it is a workspace tool and not part of the published CLI.
require('../dist/main.js');

#!/usr/bin/env node
// The `tessera` command: runs the built CLI (`make build` compiles src/ to dist/).
require('../dist/main.js');

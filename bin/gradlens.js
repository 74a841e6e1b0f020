#!/usr/bin/env node
"use strict";
require("../dist/cli.js").cli(process.argv.slice(2));

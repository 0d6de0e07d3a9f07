#!/usr/bin/env node
/** The `descend` executable. */
import { main } from './main.js';

main(process.argv.slice(2));

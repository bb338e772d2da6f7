#!/usr/bin/env node
console.log("imsim");

/** 500 names for makemore-style character models (the first 500 of makemore's names.txt; licence: LICENSES.md). */
import { NAMES } from "./names_data";

/** The names, as makemore's `open('names.txt').read().splitlines()` gives the first 500 of them. */
export function loadNames(): string[] {
  return NAMES.trim().split(" ");
}

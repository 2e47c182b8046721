// A path in a recipe that stat cannot resolve for another reason than "no such file": a symlink
// loop (ELOOP), a file used as a folder on the way (ENOTDIR). Before, both threw out of the checker
// and `alignc check` exited 70 (internal error); found by feeding odd paths to every command.
import assert from "node:assert/strict";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { expectError, fixtureDir } from "./helpers.js";

test("a data file, a template folder or a chat template that is a symlink loop is AL2017 at its path", async () => {
  mkdirSync(join(fixtureDir, "loops"));
  symlinkSync("self.jsonl", join(fixtureDir, "loops", "self.jsonl"));
  symlinkSync("tpls", join(fixtureDir, "loops", "tpls"));
  symlinkSync("c.hbs", join(fixtureDir, "loops", "c.hbs"));
  const d = await expectError(`source d = jsonl("loops/self.jsonl") as demonstrations {}`, "AL2017", 1, 18);
  assert.match(d.message, /symbolic link that leads back to itself/);
  await expectError(`task t = flan { data = jsonl("data/rows.jsonl")  templates = dir("loops/tpls") }`, "AL2017", 1, 66);
  await expectError(`format chat = chat_template("loops/c.hbs")`, "AL2017", 1, 29);
  await expectError(`source d = jsonl("loops/tpls/x.jsonl") as demonstrations {}`, "AL2017", 1, 18);
});

test("a path through a file (`data/rows.jsonl/x`) does not exist: AL2016, not an internal error", async () => {
  await expectError(`source d = jsonl("data/rows.jsonl/x") as demonstrations {}`, "AL2016", 1, 18);
});

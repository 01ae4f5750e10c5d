import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { describe, it } from "node:test";
import { assignGroups, GROUP_COUNT, TEST_DIR, testFiles } from "./groups/groups";

describe("npm test's process groups", () => {
    it("run every test file exactly once, in as many processes as group files", () => {
        const groups = assignGroups(testFiles());
        assert.deepEqual(groups.flat().sort(), testFiles());
        assert.ok(groups.every((g) => g.length > 0));
        const groupFiles = fs.readdirSync(path.join(TEST_DIR, "groups")).filter((f) => f.endsWith(".group.ts"));
        assert.equal(groupFiles.length, GROUP_COUNT, groupFiles.join(", "));
    });

    it("balance by weight and count an unknown file at the default weight", () => {
        const table = { seconds: { "secrets.test.ts": 13.5, "chart.test.ts": 10.4, "data-layer.test.ts": 3.7 }, defaultSeconds: 6 };
        assert.deepEqual(assignGroups(["secrets.test.ts", "chart.test.ts", "data-layer.test.ts", "new.test.ts"], 2, table), [
            ["data-layer.test.ts", "secrets.test.ts"],
            ["chart.test.ts", "new.test.ts"],
        ]);
    });
});

import * as fs from "fs";
import * as path from "path";
import { SCHEMA_FILE, stackFileJsonSchemaText } from "../config/json-schema";

const target = path.join(__dirname, "..", SCHEMA_FILE);
fs.writeFileSync(target, stackFileJsonSchemaText());
console.log(`wrote ${path.relative(process.cwd(), target)}`);

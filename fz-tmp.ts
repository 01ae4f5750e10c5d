import { checkMutation } from "./test/harness/config-fuzz";
checkMutation({"stack":"dev","kind":"set","path":["github","environment","name"],"value":"production","why":"derived"} as any, true).then(console.log, (e) => console.log("FAIL", e.message));

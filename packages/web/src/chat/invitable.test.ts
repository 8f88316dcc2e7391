import { Role } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { invitable } from "./invitable";

const member = (i: number, n: string) => ({ i, n, rl: Role.Member, on: false });

describe("invitable", () => {
  it("suggests people from other channels who are not in this one, once each, by name", () => {
    const members = {
      1: [member(1, "me"), member(2, "zoe")],
      2: [member(1, "me"), member(3, "bob"), member(2, "zoe")],
      3: [member(4, "amy"), member(3, "bob")],
    };
    expect(invitable(members, 1)).toEqual(["amy", "bob"]);
    expect(invitable(members, 9)).toEqual(["amy", "bob", "me", "zoe"]);
  });
});

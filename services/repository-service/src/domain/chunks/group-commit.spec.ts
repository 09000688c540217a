import { GroupCommit } from './group-commit';

describe('GroupCommit', () => {
  it('writes batches only while every live instance reads them, and says when that changes', () => {
    const changes: boolean[] = [];
    const groupCommit = new GroupCommit(8 << 20, (on) => changes.push(on));
    expect(groupCommit.batchBytes()).toBe(0); // nothing known of the other instances yet
    groupCommit.peersSeen(true);
    expect(groupCommit.batchBytes()).toBe(8 << 20);
    groupCommit.peersSeen(true);
    groupCommit.peersSeen(false); // an instance of an earlier release came up: a rolling upgrade
    expect(groupCommit.batchBytes()).toBe(0);
    groupCommit.peersSeen(true);
    expect(changes).toEqual([true, false, true]);
  });

  it('stays off, and quiet, when GROUP_COMMIT_BYTES is 0', () => {
    const changes: boolean[] = [];
    const groupCommit = new GroupCommit(0, (on) => changes.push(on));
    groupCommit.peersSeen(true);
    expect(groupCommit.batchBytes()).toBe(0);
    expect(changes).toEqual([]);
  });
});

// Owns the Cosmos DB document layout. Versions sit side by side in one container partitioned by
// /id: a user's document has id = pk = `${version}:${userId}` (a point read, 1 RU) and carries
// {userId, modelVersion, items: [{itemId, score}]}; one pointer document (id `recs:active`) names
// the active version and the loaded ones with their user counts.

export const POINTER_ID = 'recs:active';

export interface UserDoc {
  id: string;
  userId: string;
  modelVersion: string;
  items: { itemId: string; score: number }[];
}

export interface PointerDoc {
  id: typeof POINTER_ID;
  activeVersion: string | null;
  /** Completely loaded versions, oldest first. */
  versions: { version: string; users: number; loadedAt: string }[];
}

export const userDocId = (version: string, userId: string): string => `${version}:${userId}`;

/**
 * A seeded stand-in for the course's NYC green-taxi trips (no download): pickup and dropoff zones with
 * popularity and congestion, a road distance from the zones' positions, and a duration from distance, the
 * zones' traffic and noise; trips outside 1–60 minutes are dropped, as the course filters them.
 */
export interface Trip {
  PULocationID: number;
  DOLocationID: number;
  trip_distance: number;
  /** Minutes: the target. */
  duration: number;
}

export const ZONES = 15;

/** mulberry32: small, seedable, good enough for synthetic data. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Zone {
  x: number;
  y: number;
  popularity: number;
  /** Minutes per km added by traffic around the zone. */
  congestion: number;
}

/** The city is fixed (seed 1) so every month shares zones; `seed` varies the trips. */
function city(): Zone[] {
  const r = random(1);
  return Array.from({ length: ZONES }, () => ({ x: r() * 12, y: r() * 12, popularity: 0.2 + r() ** 2 * 3, congestion: r() * 2.5 }));
}

export function generateTrips(n: number, seed: number): Trip[] {
  const zones = city();
  const r = random(seed);
  const total = zones.reduce((s, z) => s + z.popularity, 0);
  const pick = (): number => {
    let u = r() * total;
    for (let i = 0; i < zones.length; i++) {
      u -= (zones[i] as Zone).popularity;
      if (u < 0) return i;
    }
    return zones.length - 1;
  };
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const trips: Trip[] = [];
  while (trips.length < n) {
    const pu = pick();
    const dor = pick();
    const a = zones[pu] as Zone;
    const b = zones[dor] as Zone;
    const distance = Math.max(0.3, Math.hypot(a.x - b.x, a.y - b.y) * 1.3 * (1 + 0.15 * gaussian()) + (pu === dor ? 0.8 * r() : 0));
    const perKm = 2.2 + (a.congestion + b.congestion) / 2 + (distance > 8 ? -0.6 : 0); // long trips take faster roads
    const duration = (3 + distance * perKm) * Math.exp(0.12 * gaussian());
    if (duration < 1 || duration > 60) continue;
    trips.push({ PULocationID: pu + 1, DOLocationID: dor + 1, trip_distance: Number(distance.toFixed(2)), duration });
  }
  return trips;
}

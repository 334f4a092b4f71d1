/** Class instances with methods and a subclass, created and dropped per call. */
export const truth = 'clean'
export const bytesPerCall = 0
export const about = 'class instances: a Point and a subclass Point3 with getters and methods per call'

class Point {
  constructor(x, y) {
    this.x = x
    this.y = y
  }
  get length() {
    return Math.hypot(this.x, this.y)
  }
  add(other) {
    return new Point(this.x + other.x, this.y + other.y)
  }
}

class Point3 extends Point {
  constructor(x, y, z) {
    super(x, y)
    this.z = z
  }
}

/** @returns {() => unknown} a fresh function under test */
export function create() {
  let n = 0
  return () => {
    const a = new Point(n++, 2)
    const b = new Point3(1, 2, 3)
    return a.add(b).length
  }
}

/**
 * Renders an HTML report in Debian's headless `chromium` (driven by playwright-core, which never
 * downloads a browser here: it is given the system binary) and measures what a person would see:
 * console errors, failed or outgoing requests, the plots' boxes, and coloured pixels inside them.
 */
import { existsSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { chromium } from 'playwright-core'

// Browser globals used inside page.evaluate callbacks (the project compiles without the DOM library).
interface PageElement {
  readonly attributes: ArrayLike<{ readonly name: string }> & Iterable<{ readonly name: string }>
}
interface PageCanvas {
  width: number
  height: number
  getContext(kind: '2d'): {
    drawImage(image: unknown, x: number, y: number): void
    getImageData(x: number, y: number, width: number, height: number): { readonly data: ArrayLike<number> }
  } | null
}
declare const document: {
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>
  querySelector(selector: 'canvas'): PageCanvas | null
}
declare const Image: new () => { src: string; readonly width: number; readonly height: number; decode(): Promise<void> }

/** The system browser the tests use. */
export const CHROMIUM = process.env['LEAKSPEC_CHROMIUM'] ?? '/usr/bin/chromium'

/** The line `.ci/run` must run so that these tests can run. */
export const CHROMIUM_INSTALL = 'apt-get install -y chromium'

/** Whether the browser is installed; when not, why (and what to do). */
export function chromiumStatus(): { available: true } | { available: false; reason: string } {
  if (existsSync(CHROMIUM)) return { available: true }
  return {
    available: false,
    reason: `Debian's chromium is not installed (${CHROMIUM} is missing). Fix: apt-get update && ${CHROMIUM_INSTALL}`,
  }
}

/** The box of one plot on the page and what its screenshot holds. */
export interface PlotMeasure {
  /** `heap-plot` or `signals-plot`. */
  readonly kind: string
  readonly width: number
  readonly height: number
  /** Points, circles and lines drawn inside it. */
  readonly marks: number
  /** Pixels of the plot's screenshot that are neither white nor near-white. */
  readonly inkPixels: number
  /** Pixels that are clearly coloured (a blue, red or orange mark, not grey text). */
  readonly colouredPixels: number
  readonly totalPixels: number
}

/** What rendering a report page showed. */
export interface RenderResult {
  readonly consoleMessages: readonly string[]
  readonly pageErrors: readonly string[]
  /** Requests for anything but the page itself (there must be none). */
  readonly requests: readonly string[]
  readonly title: string
  /** Whether a `<script>` or an element with an `on…` attribute exists (there must be none). */
  readonly scripts: number
  readonly eventHandlers: number
  /** Text of the elements that show test names. */
  readonly names: readonly string[]
  readonly plots: readonly PlotMeasure[]
}

/**
 * Opens `htmlPath` in headless chromium, full-page screenshot to `screenshotPath`, and measures the
 * plots (the first `maxPlots` of them) through pixel counts of their own screenshots.
 */
export async function renderReport(htmlPath: string, screenshotPath: string, maxPlots = 6): Promise<RenderResult> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    const consoleMessages: string[] = []
    const pageErrors: string[] = []
    const requests: string[] = []
    const url = pathToFileURL(htmlPath).href
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') consoleMessages.push(`${message.type()}: ${message.text()}`)
    })
    page.on('pageerror', (error) => pageErrors.push(error.message))
    page.on('request', (request) => {
      if (request.url() !== url) requests.push(request.url())
    })
    await page.goto(url, { waitUntil: 'load' })
    await page.screenshot({ path: screenshotPath, fullPage: true })
    const title = await page.title()
    const scripts = await page.locator('script').count()
    const eventHandlers = await page.evaluate(
      () => [...document.querySelectorAll('*')].filter((element) => [...element.attributes].some((a) => a.name.startsWith('on'))).length,
    )
    const names = await page.locator('.test .name').allTextContents()
    const plots: PlotMeasure[] = []
    const handles = await page.locator('svg.plot').all()
    for (const handle of handles.slice(0, maxPlots)) {
      await handle.scrollIntoViewIfNeeded()
      const box = await handle.boundingBox()
      const kind = (await handle.getAttribute('class'))?.split(' ').find((name) => name.endsWith('-plot')) ?? 'plot'
      const marks = await handle.locator('circle, polyline, line').count()
      const png = await handle.screenshot({ type: 'png' })
      plots.push({ kind, width: box?.width ?? 0, height: box?.height ?? 0, marks, ...(await countInk(context, png)) })
    }
    await context.close()
    return { consoleMessages, pageErrors, requests, title, scripts, eventHandlers, names, plots }
  } finally {
    await browser.close()
  }
}

/** Counts pixels of a PNG in a blank page of the same browser (a canvas decodes it). */
async function countInk(
  context: import('playwright-core').BrowserContext,
  png: Buffer,
): Promise<{ inkPixels: number; colouredPixels: number; totalPixels: number }> {
  const page = await context.newPage()
  try {
    await page.setContent('<!DOCTYPE html><canvas></canvas>')
    return await page.evaluate(async (dataUrl) => {
      const image = new Image()
      image.src = dataUrl
      await image.decode()
      const canvas = document.querySelector('canvas')!
      canvas.width = image.width
      canvas.height = image.height
      const context2d = canvas.getContext('2d')!
      context2d.drawImage(image, 0, 0)
      const data = context2d.getImageData(0, 0, image.width, image.height).data
      let inkPixels = 0
      let colouredPixels = 0
      for (let i = 0; i < data.length; i += 4) {
        const r = data[i]!
        const g = data[i + 1]!
        const b = data[i + 2]!
        if (r < 235 || g < 235 || b < 235) inkPixels++
        if (Math.max(r, g, b) - Math.min(r, g, b) > 80) colouredPixels++
      }
      return { inkPixels, colouredPixels, totalPixels: image.width * image.height }
    }, `data:image/png;base64,${png.toString('base64')}`)
  } finally {
    await page.close()
  }
}

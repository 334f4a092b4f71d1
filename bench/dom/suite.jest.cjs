require('./driver.cjs').register(test, 'jest-jsdom')

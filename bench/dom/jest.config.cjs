module.exports = { testEnvironment: 'jsdom', testMatch: ['<rootDir>/suite.jest.cjs'] }

"""What search engines read: which pages they may list (noindex, robots.txt), the sitemap, canonical links."""

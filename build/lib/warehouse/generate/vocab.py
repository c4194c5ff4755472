"""Fixed vocabularies the synthetic data draws from: departments, categories, brands, cities, names.

Every string here is safe to write unquoted into CSV and JSON: no comma, double quote or backslash
(a test checks it). Brand names are invented.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    name: str
    department: str
    subcategories: tuple[str, str, str]
    min_price: float
    max_price: float


@dataclass(frozen=True)
class Department:
    name: str
    brands: tuple[str, ...]
    categories: tuple[tuple[str, tuple[str, str, str], float, float], ...]


DEPARTMENTS: tuple[Department, ...] = (
    Department(
        "Electronics",
        ("Voltra", "Nexio", "Kyro", "Lumina", "Arcwave", "Zentek", "Orbix", "Pulsar"),
        (
            ("Smartphones", ("Flagship Phones", "Budget Phones", "Foldable Phones"), 120, 1400),
            ("Laptops", ("Ultrabooks", "Gaming Laptops", "Business Laptops"), 350, 2800),
            ("Tablets", ("Standard Tablets", "Pro Tablets", "E-Readers"), 80, 1200),
            ("Televisions", ("LED TVs", "OLED TVs", "Projectors"), 200, 3000),
            ("Audio", ("Headphones", "Speakers", "Soundbars"), 20, 600),
            ("Cameras", ("Mirrorless Cameras", "Action Cameras", "Lenses"), 150, 2500),
            ("Wearables", ("Smartwatches", "Fitness Trackers", "Smart Rings"), 30, 600),
            ("Gaming", ("Consoles", "Controllers", "Video Games"), 20, 600),
            ("Computer Accessories", ("Keyboards", "Mice", "Monitors"), 10, 700),
            ("Networking", ("Routers", "Mesh Systems", "Network Switches"), 25, 450),
            ("Smart Home", ("Smart Speakers", "Security Cameras", "Smart Plugs"), 15, 350),
        ),
    ),
    Department(
        "Home",
        ("Hearthwood", "Casa Nova", "Nordhem", "Ivyline", "Brightnest", "Oakmere", "Tidyhome", "Ferro"),
        (
            ("Furniture", ("Sofas", "Tables", "Chairs"), 60, 2200),
            ("Kitchen Appliances", ("Coffee Makers", "Blenders", "Microwaves"), 25, 900),
            ("Cookware", ("Pans", "Pots", "Knives"), 15, 350),
            ("Home Decor", ("Wall Art", "Vases", "Candles"), 8, 250),
            ("Bedding", ("Sheets", "Duvets", "Pillows"), 15, 400),
            ("Bath", ("Towels", "Bath Mats", "Shower Accessories"), 6, 150),
            ("Lighting", ("Lamps", "Ceiling Lights", "LED Bulbs"), 5, 400),
            ("Storage & Organization", ("Shelving", "Storage Boxes", "Closet Organizers"), 8, 300),
            ("Cleaning Supplies", ("Vacuums", "Mops", "Detergents"), 4, 700),
            ("Garden", ("Plants", "Garden Tools", "Outdoor Furniture"), 5, 900),
            ("Tools & Hardware", ("Power Tools", "Hand Tools", "Fasteners"), 3, 600),
        ),
    ),
    Department(
        "Fashion",
        ("Maison Clair", "Urban Thread", "Velora", "Northpeak", "Kinsley", "Azura", "Bellwood", "Stride"),
        (
            ("Women's Clothing", ("Dresses", "Tops", "Outerwear"), 12, 300),
            ("Men's Clothing", ("Shirts", "Trousers", "Jackets"), 12, 300),
            ("Kids' Clothing", ("Baby Clothing", "Boys' Clothing", "Girls' Clothing"), 6, 90),
            ("Shoes", ("Sneakers", "Boots", "Sandals"), 20, 250),
            ("Bags & Luggage", ("Backpacks", "Suitcases", "Handbags"), 20, 450),
            ("Jewelry", ("Necklaces", "Rings", "Earrings"), 10, 900),
            ("Watches", ("Analog Watches", "Digital Watches", "Luxury Watches"), 30, 1500),
            ("Eyewear", ("Sunglasses", "Frames", "Reading Glasses"), 15, 300),
        ),
    ),
    Department(
        "Beauty & Health",
        ("Lumiere", "Purelle", "Verdana", "Solis", "Aurea", "Nativa", "Glowlab", "Vitalis"),
        (
            ("Skincare", ("Moisturizers", "Serums", "Sunscreen"), 6, 120),
            ("Makeup", ("Foundation", "Lipstick", "Mascara"), 5, 70),
            ("Hair Care", ("Shampoo", "Conditioner", "Hair Dryers"), 4, 250),
            ("Fragrances", ("Perfume", "Cologne", "Body Mist"), 15, 200),
            ("Personal Care", ("Electric Toothbrushes", "Shavers", "Oral Care"), 3, 250),
            ("Vitamins & Supplements", ("Multivitamins", "Protein Powder", "Herbal Supplements"), 6, 80),
        ),
    ),
    Department(
        "Sports & Outdoors",
        ("Summit", "Trailhead", "Velocity", "Ironclad", "Aquaris", "Ridgeback", "Apex Sport", "Kinetic"),
        (
            ("Fitness Equipment", ("Dumbbells", "Treadmills", "Yoga Mats"), 10, 2000),
            ("Outdoor & Camping", ("Tents", "Sleeping Bags", "Camping Stoves"), 15, 600),
            ("Cycling", ("Bikes", "Helmets", "Bike Accessories"), 10, 2500),
            ("Team Sports", ("Footballs", "Basketballs", "Sportswear"), 10, 200),
        ),
    ),
    Department(
        "Family & Leisure",
        ("Little Oak", "Playfield", "Paperlane", "Harmonia", "Pawsome", "Crafted", "Bramble", "Storyhouse"),
        (
            ("Toys", ("Building Sets", "Dolls", "Board Games"), 5, 200),
            ("Baby", ("Strollers", "Car Seats", "Diapers"), 8, 700),
            ("Books", ("Fiction", "Non-Fiction", "Children's Books"), 5, 60),
            ("Music & Instruments", ("Guitars", "Digital Pianos", "Vinyl Records"), 10, 1500),
            ("Pet Supplies", ("Pet Food", "Pet Toys", "Pet Beds"), 4, 150),
            ("Arts & Crafts", ("Paints", "Drawing Supplies", "Sewing"), 3, 120),
        ),
    ),
    Department(
        "Everyday",
        (
            "Daily Harvest",
            "Brookfarm",
            "Fizzco",
            "Penwright",
            "Roadline",
            "Greenleaf",
            "Clearway",
            "Staplewood",
        ),
        (
            ("Grocery", ("Snacks", "Pantry Staples", "Coffee & Tea"), 2, 40),
            ("Beverages", ("Soft Drinks", "Juices", "Sparkling Water"), 2, 35),
            ("Office Supplies", ("Paper", "Pens", "Desk Accessories"), 2, 150),
            ("Automotive", ("Car Care", "Car Electronics", "Tires"), 5, 400),
        ),
    ),
)

CATEGORIES: tuple[Category, ...] = tuple(
    Category(name, dept.name, subs, float(lo), float(hi))
    for dept in DEPARTMENTS
    for name, subs, lo, hi in dept.categories
)
BRANDS_PER_CATEGORY = 4

# Share of customers (and stores) per country, and the cities used for them.
COUNTRIES: dict[str, tuple[float, tuple[str, ...]]] = {
    "US": (22.0, ("New York", "Los Angeles", "Chicago", "Houston", "Seattle")),
    "CA": (4.0, ("Toronto", "Vancouver", "Montréal")),
    "MX": (3.0, ("Mexico City", "Guadalajara", "Monterrey")),
    "BR": (4.0, ("São Paulo", "Rio de Janeiro", "Belo Horizonte")),
    "AR": (1.5, ("Buenos Aires", "Córdoba", "Rosario")),
    "CL": (1.0, ("Santiago", "Valparaíso")),
    "CO": (1.5, ("Bogotá", "Medellín", "Cali")),
    "GB": (7.0, ("London", "Manchester", "Edinburgh")),
    "IE": (1.0, ("Dublin", "Cork")),
    "SE": (1.5, ("Stockholm", "Gothenburg", "Malmö")),
    "DE": (7.0, ("Berlin", "Munich", "Hamburg", "Düsseldorf")),
    "FR": (6.0, ("Paris", "Lyon", "Marseille")),
    "NL": (2.5, ("Amsterdam", "Rotterdam", "Utrecht")),
    "ES": (3.5, ("Madrid", "Barcelona", "Valencia")),
    "IT": (3.5, ("Milan", "Rome", "Turin")),
    "PL": (2.0, ("Warsaw", "Kraków", "Gdańsk")),
    "JP": (5.0, ("Tokyo", "Osaka", "Yokohama")),
    "KR": (2.5, ("Seoul", "Busan")),
    "CN": (4.0, ("Shanghai", "Beijing", "Shenzhen")),
    "IN": (4.0, ("Mumbai", "Bengaluru", "Delhi")),
    "SG": (1.0, ("Singapore",)),
    "AU": (3.0, ("Sydney", "Melbourne", "Brisbane")),
    "NZ": (0.8, ("Auckland", "Wellington")),
    "AE": (1.2, ("Dubai", "Abu Dhabi")),
    "SA": (1.0, ("Riyadh", "Jeddah")),
    "ZA": (1.2, ("Johannesburg", "Cape Town")),
    "NG": (1.0, ("Lagos", "Abuja")),
    "EG": (0.8, ("Cairo", "Alexandria")),
}


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


FIRST_NAMES: tuple[str, ...] = _names(
    "Olivia|Liam|Emma|Noah|Amelia|Oliver|Sophia|Elijah|Isabella|Lucas|Mia|Mateo|Ava|Leo|Chloe|Hugo|"
    "Lea|Luca|Sofia|Jonas|Hannah|Felix|Aisha|Omar|Fatima|Yusuf|Priya|Arjun|Ananya|Rohan|Yuki|Haruto|"
    "Sakura|Min-jun|Ji-woo|Wei|Mei|Chen|Camila|Santiago|Valentina|Diego|Lucia|Thiago|Chidi|Amara|"
    "Zanele|Thabo|Freya|Erik"
)
LAST_NAMES: tuple[str, ...] = _names(
    "Smith|Johnson|Williams|Brown|Garcia|Miller|Davis|Rodriguez|Martinez|Wilson|Anderson|Taylor|"
    "Thomas|Moore|Martin|Lee|Walker|O'Brien|Murphy|Kelly|Müller|Schmidt|Schneider|Fischer|Dubois|"
    "Lefebvre|Moreau|Rossi|Russo|Bianchi|Fernández|López|González|Silva|Santos|Oliveira|Nowak|"
    "Kowalski|Jansen|de Vries|Andersson|Johansson|Sato|Suzuki|Kim|Park|Wang|Li|Sharma|Patel|Khan|"
    "Haddad|Okafor|Adeyemi|Nkosi|Naidoo|Cohen|Nguyen|Tan|Wright"
)
EMAIL_DOMAINS: tuple[str, ...] = ("example.com", "example.net", "example.org", "mail.example")

CHANNELS: tuple[tuple[str, str, str], ...] = (
    ("web", "Web Store", "online"),
    ("mobile_app", "Mobile App", "online"),
    ("marketplace", "Marketplace", "online"),
    ("store", "Physical Store", "offline"),
    ("call_center", "Call Center", "offline"),
)
CAMPAIGN_OBJECTIVES: tuple[str, ...] = ("awareness", "acquisition", "conversion", "retention", "reactivation")
# Campaign themes by the month the campaign starts (index 0 = January).
CAMPAIGN_THEMES: tuple[tuple[str, ...], ...] = (
    ("New Year Sale", "Winter Clearance"),
    ("Valentine's Day", "Winter Clearance"),
    ("Spring Sale", "Easter Deals"),
    ("Spring Sale", "Easter Deals"),
    ("Mother's Day", "Brand Week"),
    ("Father's Day", "Summer Preview"),
    ("Summer Sale", "Prime Days"),
    ("Back to School", "Summer Sale"),
    ("Back to School", "Autumn Collection"),
    ("Autumn Collection", "Loyalty Rewards"),
    ("Singles Day", "Black Friday"),
    ("Holiday Gifts", "Cyber Week"),
)
